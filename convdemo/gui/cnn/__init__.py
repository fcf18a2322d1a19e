"""The CNN lab: data, network and run controls, training worker, filters, curves, probes."""
