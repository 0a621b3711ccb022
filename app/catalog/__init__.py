"""Things Flowdeck ships with: the built-in workflow templates (`templates/*.json`)."""
