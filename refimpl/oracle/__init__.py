"""The conformance oracle: judging other implementations against refimpl.

One layer above the core (:mod:`refimpl.padding`, :mod:`refimpl.lphm`, :mod:`refimpl.fusion`,
:mod:`refimpl.operators`), below the command line and the plotting:

==================  ===========================================================================
module              what it holds
==================  ===========================================================================
``registry``        each function of SPEC as the oracle calls it: config keys, defaults, binding
``tolerance``       the one rounding bound (``gamma_K``) and the entry-by-entry judgement
``mistakes``        the one catalogue of implementation mistakes
``diagnosis``       which catalogued mistakes reproduce a wrong output
``check``           ``check``, ``assert_close_to_reference``, ``check_matrix``
``gradients``       reference vector-Jacobian products
``strategies``      Hypothesis strategies for configurations and inputs
``vectors``         golden vectors: data and files
``pytest_plugin``   ``pytest --refimpl-candidate``
==================  ===========================================================================

Users import :mod:`refimpl.testing` and :mod:`refimpl.strategies`, which re-export from here.
"""
