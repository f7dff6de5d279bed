"""Pure-Python model of azureml-fe, Azure ML's inference router: scale settings, sizing, the
autoscaling decision, and a simulator (python -m router). Imports no submodule, so the pure
parts (`router.scale`, `router.formula`, `router.recommend`, `router.sizing`, `router.nodefit`)
stay free of numpy."""
