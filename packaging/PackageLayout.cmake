# What the package is called and what it installs, shared by packaging/ and tests/packaging/.
# Not the version: that is project(VERSION) alone.
set(SINKSCOPE_APP_ID org.sinkscope.SinkScope)
set(SINKSCOPE_ICON_SIZES 16 22 24 32 48 64 128 256)
# The date of the release that project(VERSION) names (AppStream release, man page). Bump together.
set(SINKSCOPE_RELEASE_DATE "2026-11-28")
