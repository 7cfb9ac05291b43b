"""The run colours, in a module of their own: the command line names them without matplotlib."""

#: Okabe–Ito colours: distinct for colour-blind readers, and in print.
RUN_COLORS = (
    "#D55E00",  # vermillion
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: faint on the light parts of the map)
)
