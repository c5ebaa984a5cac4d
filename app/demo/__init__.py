"""The demo warehouse and the Starshipit event stream that drives it."""
