/* libltdl's module handle, as named by NEST's module_manager.h (opaque; never dereferenced here). */
#ifndef PYNN_COMPAT_LTDL_H
#define PYNN_COMPAT_LTDL_H
typedef struct lt__handle *lt_dlhandle;
#endif
