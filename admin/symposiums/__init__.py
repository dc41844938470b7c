"""行风监督员 on record and 座谈会 whose problems become ledger entries."""
