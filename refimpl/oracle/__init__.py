"""The conformance oracle: judging other implementations against refimpl.

One layer above the functions of SPEC (:mod:`refimpl.functions`) and the reading of any
library's output (:mod:`refimpl._outputs`), below the command line and the plotting:

==================  ===========================================================================
module              what it holds
==================  ===========================================================================
``targets``         ``load_target``: a candidate named ``MODULE:CALLABLE``
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
