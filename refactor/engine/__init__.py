"""The engine and the edit API rules use."""
