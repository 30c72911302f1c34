"""Demo data: `heedful demo seed` creates demo surveys, logins and a year of synthetic responses."""
