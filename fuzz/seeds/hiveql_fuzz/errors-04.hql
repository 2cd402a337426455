SELECT explode(arr) FROM t
