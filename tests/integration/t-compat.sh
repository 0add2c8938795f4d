#!/bin/bash
# Side by side with Docker (issue 8): tests/compat/compat.sh in TAP mode, one
# check per scenario: ok when minirun behaves as Docker does (maybe modulo the
# bridge subnet) or differs as docs/docker-differences.md says; not ok for an
# undocumented difference or a documented one that is gone. One SKIP line when
# no Docker engine can start here (apt-get install docker.io).
exec bash "$(dirname "$0")/../compat/compat.sh" --tap
