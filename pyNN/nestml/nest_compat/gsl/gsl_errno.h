/* GSL status codes used by NESTML's generated numeric-solver code. */
#ifndef PYNN_COMPAT_GSL_ERRNO_H
#define PYNN_COMPAT_GSL_ERRNO_H
#define GSL_SUCCESS 0
#define GSL_FAILURE (-1)
#define GSL_CONTINUE (-2)
#define GSL_EDOM 1
#define GSL_ERANGE 2
#define GSL_EFAULT 3
#define GSL_EINVAL 4
#define GSL_EFAILED 5
#define GSL_ENOMEM 8
#define GSL_EBADFUNC 9
#define GSL_EMAXITER 11
#define GSL_ETOL 14
#endif
