#!/bin/bash
# Exp 3: one-way drop on the replication link for CUT seconds (default: master->replica only, 10 s).
# usage: exp3_one_way.sh [CUTSECS] [m2r|r2m]
exec "$(dirname "$0")/exp2_replica_cut.sh" "${1:-10}" "${2:-m2r}"
