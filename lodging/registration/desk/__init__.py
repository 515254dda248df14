"""The front desk: owners and staff declare guests, see what is due, change stays."""
