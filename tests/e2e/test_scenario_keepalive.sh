#!/bin/bash
# The reference scenario end to end (test_scenario.sh, every case) with every
# connection kept alive: nginx's upstream keepalive at the gateway and each
# service's pooled, kept-alive connections to its next hop (service.py
# --keepalive), so requests of both lanes share connections at every hop.
GL_SCENARIO_KEEPALIVE=1 exec "$(dirname "$0")/test_scenario.sh"
