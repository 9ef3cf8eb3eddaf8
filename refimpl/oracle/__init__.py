"""The conformance oracle: judging other implementations against refimpl.

One layer above the functions of SPEC (:mod:`refimpl.functions`, which it reaches through
``FUNCTIONS``) and the reading of any library's output (:mod:`refimpl._outputs`), below the
command line and the plotting. Its parts, each a module or a subpackage, from the top down
(``setup.cfg``'s import contract keeps them in this order):

==================  ===========================================================================
part                what it holds
==================  ===========================================================================
``pytest_plugin``   ``pytest --refimpl-candidate``
``check``           ``check``, ``assert_close_to_reference`` and ``check_matrix``: how a
                    candidate is called, the cases it is given, the Hypothesis driver, the
                    second calls, the gradients, the reports
``vectors``         golden vectors: the table of cases, the files, the verdicts on outputs
``diagnosis``       which catalogued mistakes reproduce a wrong output, or a candidate's failures
``mistakes``        the one catalogue of implementation mistakes, and their outputs
``tolerance``       the one rounding bound (``gamma_K``), every ``K``, the reference and its
                    bound, ``judge_output``
``judgement``       the entry-by-entry rule (``disagreeing``) and the verdict (``judge``)
``gradients``       reference vector-Jacobian products
``strategies``      Hypothesis strategies: configurations, invalid ones, arrays, whole cases
``targets``         ``load_target``: a candidate named ``MODULE:CALLABLE``
==================  ===========================================================================

Users import :mod:`refimpl.testing` and :mod:`refimpl.strategies`, which re-export from here,
and :mod:`refimpl.oracle.vectors`.
"""
