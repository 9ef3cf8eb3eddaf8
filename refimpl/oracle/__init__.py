"""The conformance oracle: judging other implementations against refimpl.

One layer above the core (:mod:`refimpl.padding`, :mod:`refimpl.lphm`, :mod:`refimpl.fusion`,
:mod:`refimpl.operators`), below the command line and the plotting:

==================  ===========================================================================
module              what it holds
==================  ===========================================================================
``adapters``        what comes from outside: ``to_numpy`` for any array, ``load_target``
``registry``        each function of SPEC as the oracle calls it: config keys, defaults, binding
``tolerance``       the one rounding bound (``gamma_K``), every ``K``, the entry-by-entry judgement
``mistakes``        the one catalogue of implementation mistakes
``diagnosis``       which catalogued mistakes reproduce a wrong output
``check``           ``check`` and ``assert_close_to_reference``; how candidates are called
                    (``_candidates``), the reports (``_reports``), ``check_matrix`` (``_probes``)
``gradients``       reference vector-Jacobian products
``strategies``      Hypothesis strategies for configurations and inputs
``vectors``         golden vectors: data and files
``pytest_plugin``   ``pytest --refimpl-candidate``
==================  ===========================================================================

Users import :mod:`refimpl.testing` and :mod:`refimpl.strategies`, which re-export from here.
"""
