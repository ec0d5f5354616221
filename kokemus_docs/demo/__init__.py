"""The demo workspace: a fictional register and a whole month cycle with its feedback."""
