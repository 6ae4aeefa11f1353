"""MS: split a single-stage build into a build stage and a runtime stage, one rule per ecosystem."""
