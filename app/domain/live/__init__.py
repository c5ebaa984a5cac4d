"""Live push to devices and screens over WebSockets, fed by the channels plugin."""
