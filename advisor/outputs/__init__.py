"""What the advisor writes: text formats (`formats`), the one template factory (`templating`),
decision and portfolio reports (`reports`) and starter configurations (`scaffold`)."""
