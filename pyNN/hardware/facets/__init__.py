"""FACETS hardware (the Spikey chip, profile 'spikey')."""
