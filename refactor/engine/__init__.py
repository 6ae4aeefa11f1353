"""The engine: runs the rules in rounds and applies their edits (the edit API is refactor.syntax.edits)."""
