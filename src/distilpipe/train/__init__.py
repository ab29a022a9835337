"""Training on trl: SFT and DPO of the student (no DVC knowledge here)."""
