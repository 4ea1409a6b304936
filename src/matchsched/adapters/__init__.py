"""Input and output adapters around the core: files in, files out.

The core (model, schedule, options, check, solver) never imports from here.
"""
