"""SQL front end: parse, resolve, plan, check the CCL, place every step. No shares here."""
