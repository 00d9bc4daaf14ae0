*€B
typed_bf16