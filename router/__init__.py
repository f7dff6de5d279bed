"""Pure-Python model of azureml-fe, Azure ML's inference router: scale settings, sizing,
the autoscaling decision, and a simulator (python -m router). Imports no submodule, so
`import router.capacity` stays free of numpy."""
