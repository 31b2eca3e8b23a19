/* Included by NESTML's generated code; the odeiv interface it uses needs nothing from it. */
#ifndef PYNN_COMPAT_GSL_MATRIX_H
#define PYNN_COMPAT_GSL_MATRIX_H
#endif
