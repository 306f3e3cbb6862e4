"""One render, start to finish: plan, narrate, generate, compose, disclose."""
