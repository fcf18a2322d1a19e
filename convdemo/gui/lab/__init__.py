"""The convolution lab: stage views, controls, pixel inspector, sliding-window animation, photo loading."""
