
*€xB	typed_f16