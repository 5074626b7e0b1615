/* err.c: messages for the error list in err.h. */
#include "err.h"

static const char *const messages[] = {
	"success",
#define EIC_X(name, msg) msg,
	EIC_ERROR_LIST(EIC_X)
#undef EIC_X
};

static const char *const names[] = {
	"EIC_OK",
#define EIC_X(name, msg) #name,
	EIC_ERROR_LIST(EIC_X)
#undef EIC_X
};

const char *
err_str(int code)
{
	if (code > 0 || -code >= EIC_ERR_INDEX_COUNT_)
		return "unknown error";
	return messages[-code];
}

const char *
err_name(int code)
{
	if (code > 0 || -code >= EIC_ERR_INDEX_COUNT_)
		return "EIC_ERR_UNKNOWN";
	return names[-code];
}
