"""Tests of the study app (Pilot flows, snapshots, one tmux end-to-end run)."""
