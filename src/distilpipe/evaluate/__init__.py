"""Evaluation: IFEval checkers, MT-Bench questions and grading, AlpacaEval's LC win rate.

The parts here are model-independent: they score responses and judgements that the
evaluate stage gets from the LLM layer.
"""
