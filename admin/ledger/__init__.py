"""The rectification ledger (整改台账): entries opened by bad ratings and complaints or by hand,
the 四明确, a state machine, deadlines on the Chinese working-day calendar, appeals, exports."""
