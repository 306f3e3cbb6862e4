"""Generation vocabulary and provider adapters. Depends on nothing else of reelroute."""
