"""Domain packages: each holds its services (the operations) and its HTTP controllers."""
