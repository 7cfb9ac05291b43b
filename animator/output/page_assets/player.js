/* landscape-animator's player: draws the moving parts of a figure over its static picture.
 *
 * The static picture (contours, colour bar, axes, legend, title) is an <img> drawn by matplotlib;
 * this script draws, on a canvas of the same size above it, what changes with the step: the paths,
 * heads, crosses and notes of diverged runs, the minima above the paths, the loss curves and their
 * cursor, the step counter and each run's current loss. Data coordinates are projected with the
 * affine transforms matplotlib used (animator/page.py writes them), in figure pixels. No network,
 * no libraries.
 */
function animatorPlayer(root, standalone) {
  "use strict";
  // A notebook may show the same (cached) fragment twice, ids and all: each script then takes
  // the first player with that id that no script has started yet.
  if (root && root.animatorPlayer) {
    const twins = document.querySelectorAll('[id="' + root.id + '"]');
    root = Array.prototype.find.call(twins, (e) => !e.animatorPlayer) || null;
  }
  if (!root) return;
  const D = JSON.parse(root.querySelector(".la-data").textContent);
  const W = D.size[0], H = D.size[1], N = D.steps, S = D.style;
  const figure = root.querySelector(".la-figure");
  const canvas = root.querySelector(".la-canvas");
  const ctx = canvas.getContext("2d");
  const slider = root.querySelector(".la-slider");
  const label = root.querySelector(".la-step");
  const button = root.querySelector(".la-play");
  const speed = root.querySelector(".la-speed");
  const tip = root.querySelector(".la-tip");
  const hidden = D.runs.map(() => false);
  const overlay = new Image();
  let overlayReady = false;
  let step = 0, playing = false, lastTime = null, carry = 0, hover = null;
  const state = { heads: [], crosses: [], notes: [], draws: 0 };

  // --- projections (figure pixels, origin top-left) ---------------------------------------
  const affine = (A, u, v) => [A[0] * u + A[1], A[2] * v + A[3]];
  const mapXY = (p) => affine(D.map.affine, p[0], p[1]);
  const lossXY = (s, v) => affine(D.loss.affine, s, D.loss.log ? Math.log10(v) : v);
  const inBox = (b, x, y, pad) => x >= b[0] - pad && x <= b[2] + pad && y >= b[1] - pad && y <= b[3] + pad;
  const inWindow = (p) => {
    const w = D.map.window;
    return !!p && p[0] >= w[0] && p[0] <= w[1] && p[1] >= w[2] && p[1] <= w[3];
  };
  const font = (px, bold) => (bold ? "bold " : "") + px.toFixed(2) + "px " + S.font;

  // Python's "%.{p}g", so the numbers read like the figure's
  function fmtG(v, p) {
    if (v === null || v === undefined) return "—";
    if (!isFinite(v)) return String(v);
    if (v === 0) return "0";
    const e = Number(v.toExponential(p - 1).split("e")[1]);
    const trim = (t) => (t.indexOf(".") >= 0 ? t.replace(/0+$/, "").replace(/\.$/, "") : t);
    if (e < -4 || e >= p) {
      const parts = v.toExponential(p - 1).split("e");
      const x = Number(parts[1]);
      return trim(parts[0]) + "e" + (x < 0 ? "-" : "+") + String(Math.abs(x)).padStart(2, "0");
    }
    return trim(v.toFixed(Math.max(0, p - 1 - e)));
  }
  const esc = (t) => String(t).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

  // --- drawing -----------------------------------------------------------------------------
  function fit() {
    const scale = (figure.clientWidth || W) / W, dpr = window.devicePixelRatio || 1;
    const cw = Math.max(1, Math.round(W * scale * dpr)), ch = Math.max(1, Math.round(H * scale * dpr));
    if (canvas.width !== cw || canvas.height !== ch) { canvas.width = cw; canvas.height = ch; }
    ctx.setTransform(cw / W, 0, 0, ch / H, 0, 0);
  }
  function clipTo(b) {
    ctx.beginPath();
    ctx.rect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
    ctx.clip();
  }
  function polyline(verts, count, A) {
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < count; i++) {
      const v = verts[i];
      if (!v) { pen = false; continue; }
      const q = affine(A, v[0], v[1]);
      if (pen) ctx.lineTo(q[0], q[1]); else { ctx.moveTo(q[0], q[1]); pen = true; }
    }
    ctx.stroke();
  }
  function shape(outline, x, y, fill, stroke, width) {
    ctx.beginPath();
    outline.forEach((q, i) => (i ? ctx.lineTo(x + q[0], y + q[1]) : ctx.moveTo(x + q[0], y + q[1])));
    ctx.closePath();
    ctx.fillStyle = fill;
    ctx.fill();
    if (stroke) { ctx.strokeStyle = stroke; ctx.lineWidth = width; ctx.lineJoin = "miter"; ctx.stroke(); }
  }
  function disc(x, y, r, fill, stroke, width) {
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    if (fill) { ctx.fillStyle = fill; ctx.fill(); }
    if (stroke) { ctx.strokeStyle = stroke; ctx.lineWidth = width; ctx.stroke(); }
  }
  function note(run, at) {
    const n = run.note, size = S.noteFont, pad = 0.25 * size;
    ctx.font = font(size);
    const w = ctx.measureText(n.text).width, h = 1.15 * size;
    const x = at[0] + n.dx, y = at[1] + n.dy;
    const x0 = n.ha === "left" ? x + pad : x - pad - w;
    const y0 = n.va === "bottom" ? y - pad - h : y + pad;
    ctx.beginPath();
    if (ctx.roundRect) ctx.roundRect(x0 - pad, y0 - pad, w + 2 * pad, h + 2 * pad, pad);
    else ctx.rect(x0 - pad, y0 - pad, w + 2 * pad, h + 2 * pad);
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fill();
    ctx.fillStyle = "#000";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(n.text, x0, y0 + h / 2);
  }

  function draw() {
    fit();
    ctx.clearRect(0, 0, W, H);
    const k = step;
    // paths, under the minima (as in the figure)
    ctx.save();
    clipTo(D.map.clip);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    D.lines.forEach((l) => {
      if (hidden[l.run]) return;
      ctx.strokeStyle = l.color;
      ctx.lineWidth = l.width;
      ctx.globalAlpha = l.alpha;
      polyline(l.verts, l.upto[k], D.map.affine);
    });
    ctx.restore();
    if (overlayReady) {
      const b = D.overlayBox;
      ctx.drawImage(overlay, b[0], b[1], b[2] - b[0], b[3] - b[1]);
    }
    // where a rounding-sensitive run's strand begins, then heads, crosses and notes
    D.runs.forEach((r, i) => {
      const m = r.sensitive;
      if (hidden[i] || !m || k < m.at || !inWindow(m.xy)) return;
      const q = mapXY(m.xy);
      shape(m.outline, q[0], q[1], m.fill, m.edge, m.edgeWidth);
    });
    state.heads = D.runs.map(() => null);
    ctx.save();
    clipTo(D.map.clip);
    D.runs.forEach((r, i) => {
      const p = r.xy[k];
      if (hidden[i] || !inWindow(p)) return;
      const q = mapXY(p);
      state.heads[i] = q;
      disc(q[0], q[1], S.head, r.color, "#ffffff", S.headEdge);
    });
    ctx.restore();
    const gone = (r, i) => !hidden[i] && r.divergedAt !== null && k >= r.divergedAt && r.end;
    state.crosses = D.runs.map((r, i) => (gone(r, i) ? mapXY(r.end) : null));
    state.notes = D.runs.map((r, i) => (gone(r, i) && r.note ? r.note.text : null));
    D.runs.forEach((r, i) => {
      const q = state.crosses[i];
      if (q) shape(S.cross, q[0], q[1], r.color, "#000000", S.crossEdge);
    });
    D.runs.forEach((r, i) => { if (state.notes[i]) note(r, state.crosses[i]); });
    // loss panel: curves up to step k and the cursor under the step axis
    ctx.save();
    clipTo(D.loss.clip);
    ctx.lineCap = "square";
    ctx.lineJoin = "round";
    ctx.lineWidth = S.lossLine;
    D.runs.forEach((r, i) => {
      if (hidden[i]) return;
      ctx.strokeStyle = r.color;
      polyline(r.lossPath.verts, r.lossPath.upto[k], D.loss.affine);
    });
    ctx.restore();
    // each visible curve's current value as a small dot, so even step 0 shows where runs start
    D.runs.forEach((r, i) => {
      const v = r.loss[k];
      if (hidden[i] || v === null || (D.loss.log && v <= 0)) return;
      const q = lossXY(k, v);
      if (inBox(D.loss.clip, q[0], q[1], 0)) disc(q[0], q[1], S.lossLine * 1.4, r.color, null, 0);
    });
    shape(S.cursor, affine(D.loss.affine, k, 0)[0], D.loss.clip[3], S.cursorColor);
    // texts: the step counter and each run's status on its legend entry
    ctx.textBaseline = "bottom";
    ctx.fillStyle = "#000000";
    ctx.font = font(S.stepFont, true);
    ctx.textAlign = "center";
    ctx.fillText("step " + k + " / " + N, D.stepAt[0], D.stepAt[1]);
    ctx.font = font(S.statusFont);
    ctx.textAlign = "left";
    ctx.fillStyle = S.statusColor;
    D.runs.forEach((r) => ctx.fillText(r.status[k], r.statusAt[0], r.statusAt[1]));
    // hidden runs: their legend entries faded
    ctx.fillStyle = "rgba(255,255,255,0.72)";
    D.runs.forEach((r, i) => {
      if (hidden[i]) { const b = r.legend; ctx.fillRect(b[0], b[1], b[2] - b[0], b[3] - b[1]); }
    });
    if (hover && hover.kind === "run") highlight(hover);
    state.draws++;
  }
  function highlight(h) {
    const r = D.runs[h.i], p = r.xy[h.s], v = r.loss[h.s], c = D.loss.clip;
    // the hovered step across the loss panel, so its curves can be read off there
    const gx = affine(D.loss.affine, h.s, 0)[0];
    ctx.save();
    ctx.strokeStyle = "rgba(0,0,0,0.45)";
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(gx, c[1]);
    ctx.lineTo(gx, c[3]);
    ctx.stroke();
    ctx.restore();
    if (inWindow(p)) { const q = mapXY(p); disc(q[0], q[1], S.head + 3, null, "#000000", 1.5); }
    if (v !== null && !(D.loss.log && v <= 0)) {
      const q = lossXY(h.s, v);
      if (inBox(D.loss.clip, q[0], q[1], 0)) disc(q[0], q[1], 4, r.color, "#000000", 1.2);
    }
  }

  // --- state changes -------------------------------------------------------------------------
  function setStep(k) {
    step = Math.max(0, Math.min(N, Math.round(k)));
    slider.value = String(step);
    label.textContent = "step " + step + " / " + N;
    if (hover && hover.kind === "run" && hover.s > step) hideTip();
    draw();
  }
  function setButton() {
    button.innerHTML = playing ? "&#10074;&#10074;" : "&#9654;";
    button.setAttribute("aria-label", playing ? "pause" : "play");
  }
  function tick(t) {
    if (!playing) return;
    if (lastTime !== null) carry += ((t - lastTime) / 1000) * D.fps * Number(speed.value || 1);
    lastTime = t;
    const advance = Math.floor(carry);
    if (advance > 0) { carry -= advance; setStep(step + advance); }
    if (step >= N) { pause(); return; }
    requestAnimationFrame(tick);
  }
  function play() {
    if (playing) return;
    if (step >= N) setStep(0);
    playing = true;
    lastTime = null;
    carry = 0;
    setButton();
    requestAnimationFrame(tick);
  }
  function pause() { playing = false; setButton(); }
  function toggle(i) { hidden[i] = !hidden[i]; if (hover && hover.i === i) hideTip(); draw(); }

  // --- hover and clicks ----------------------------------------------------------------------
  function figureXY(e) {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * W) / r.width, ((e.clientY - r.top) * H) / r.height];
  }
  function legendAt(x, y) { return D.runs.findIndex((r) => inBox(r.legend, x, y, 0)); }
  function pick(x, y) {
    if (inBox(D.map.clip, x, y, 0)) {
      // the nearest run point within 12 px or marker within 9 px (a marker wins a near tie)
      let best = null;
      for (const m of D.markers) {
        const q = mapXY(m.xy), d = Math.hypot(q[0] - x, q[1] - y) - 2;
        if (d <= 7 && (!best || d < best.d)) best = { kind: "marker", m: m, d: d, q: q };
      }
      D.runs.forEach((r, i) => {
        if (hidden[i]) return;
        for (let s = 0; s <= step; s++) {
          if (!inWindow(r.xy[s])) continue;
          const q = mapXY(r.xy[s]), d = Math.hypot(q[0] - x, q[1] - y);
          if (d <= 12 && (!best || d < best.d)) best = { kind: "run", i: i, s: s, d: d, q: q };
        }
      });
      return best;
    }
    if (inBox(D.loss.clip, x, y, 4)) {
      const A = D.loss.affine, s = Math.max(0, Math.min(step, Math.round((x - A[1]) / A[0])));
      let best = null;
      D.runs.forEach((r, i) => {
        const v = r.loss[s];
        if (hidden[i] || v === null || (D.loss.log && v <= 0)) return;
        const q = lossXY(s, v), yq = Math.max(D.loss.clip[1], Math.min(D.loss.clip[3], q[1]));
        const d = Math.abs(yq - y);
        if (!best || d < best.d) best = { kind: "run", i: i, s: s, d: d, q: [q[0], yq] };
      });
      return best;
    }
    return null;
  }
  function tipHTML(h) {
    if (h.kind === "marker") {
      const m = h.m, at = "(" + fmtG(m.xy[0], 4) + ", " + fmtG(m.xy[1], 4) + ")";
      return "<b>" + esc(m.name) + "</b> " + at + (m.f === null ? "" : "<br>f = " + fmtG(m.f, 4));
    }
    const r = D.runs[h.i], p = r.xy[h.s], v = r.loss[h.s];
    const hp = Object.keys(r.hparams).map((k) => k + "=" + fmtG(r.hparams[k], 6)).join(", ");
    const where = p ? "x = " + fmtG(p[0], 4) + ", y = " + fmtG(p[1], 4) : "off the map";
    const lost = r.divergedAt !== null && h.s >= r.divergedAt ? "<br>diverged at step " + r.divergedAt : "";
    return (
      '<b style="color:' + r.color + '">&#9679;</b> <b>' + esc(r.label) + "</b><br>" +
      "step " + h.s + " · " + where + "<br>loss " + fmtG(v, 4) + lost +
      '<br><span class="la-dim">' + esc(r.optimizer) + (hp ? ": " + esc(hp) : "") + "</span>"
    );
  }
  function showTip(h) {
    tip.innerHTML = tipHTML(h);
    tip.hidden = false;
    const scale = canvas.clientWidth / W;
    const x = h.q[0] * scale, y = h.q[1] * scale;
    const left = x + 14 + tip.offsetWidth > canvas.clientWidth ? x - 14 - tip.offsetWidth : x + 14;
    const top = Math.max(0, Math.min(canvas.clientHeight - tip.offsetHeight, y - tip.offsetHeight - 10));
    tip.style.left = Math.max(0, left) + "px";
    tip.style.top = top + "px";
  }
  function hideTip() { tip.hidden = true; hover = null; draw(); }
  canvas.addEventListener("pointermove", (e) => {
    const xy = figureXY(e);
    canvas.style.cursor = legendAt(xy[0], xy[1]) >= 0 ? "pointer" : "default";
    const h = pick(xy[0], xy[1]);
    if (!h) { if (hover) hideTip(); return; }
    hover = h;
    showTip(h);
    draw();
  });
  canvas.addEventListener("pointerleave", () => { if (hover) hideTip(); });
  canvas.addEventListener("click", (e) => {
    const xy = figureXY(e), i = legendAt(xy[0], xy[1]);
    if (i >= 0) toggle(i);
  });

  // --- controls ------------------------------------------------------------------------------
  button.addEventListener("click", () => (playing ? pause() : play()));
  slider.addEventListener("input", () => { pause(); setStep(Number(slider.value)); });
  function onKey(e) {
    const t = e.target, tag = t && t.tagName;
    if (tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && t !== slider)) return;
    if (t === slider && e.key !== " ") return; // the slider moves itself and sends "input"
    if (tag === "BUTTON" && (e.key === " " || e.key === "Enter")) return; // a click follows
    if (e.key === " ") playing ? pause() : play();
    else if (e.key === "ArrowLeft") { pause(); setStep(step - 1); }
    else if (e.key === "ArrowRight") { pause(); setStep(step + 1); }
    else if (e.key === "Home") { pause(); setStep(0); }
    else if (e.key === "End") { pause(); setStep(N); }
    else if (/^[1-9]$/.test(e.key) && Number(e.key) <= D.runs.length) toggle(Number(e.key) - 1);
    else return;
    e.preventDefault();
  }
  root.addEventListener("keydown", onKey);
  if (standalone) {
    document.addEventListener("keydown", (e) => {
      if (e.target === document.body || e.target === document.documentElement) onKey(e);
    });
  }
  if (window.ResizeObserver) new ResizeObserver(() => draw()).observe(figure);
  else window.addEventListener("resize", draw);

  const api = {
    data: D, state: state, hidden: hidden, mapXY: mapXY, lossXY: lossXY, fmtG: fmtG,
    get step() { return step; }, get playing() { return playing; },
    setStep: setStep, play: play, pause: pause, toggle: toggle,
  };
  root.animatorPlayer = api;
  (window.animatorPlayers = window.animatorPlayers || []).push(api);
  overlay.onload = () => { overlayReady = true; draw(); };
  overlay.src = D.images.overlay;
  setStep(0);
  const still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (!still) play();
}
