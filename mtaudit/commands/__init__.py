"""Further CLI commands, one module each; importing a module registers its
command on ``mtaudit.cli.app``. Modules must import heavy libraries (pandas,
torch, dask) inside the command function, never at module level."""
