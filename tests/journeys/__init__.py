"""Journey tests: whole user journeys driven by keyboard only at 80×24, read back the way
their reader reads them (the screen, the CSV, the validator's output)."""
