"""pytest collects the pages' doctests (``--doctest-glob='*.rst'``); not the build output or the Sphinx config."""

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*"]
