"""Rights: the consent gate, answer readings, and what happens when consent is lost."""
