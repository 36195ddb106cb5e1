"""The training-institution catalogue (§二.(二).10 item 4) and its exit mechanism."""
