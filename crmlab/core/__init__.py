"""The ground floor: errors, paths, results, privacy and data loaders (no statistics, no display)."""
