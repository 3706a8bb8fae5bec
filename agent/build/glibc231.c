/*
 * glibc231.c pins the few glibc symbols that a build on a newer glibc
 * (Debian 12 has 2.36) would bind to versions newer than 2.31, so the Linux
 * agent starts on Debian 11, Ubuntu 20.04 and everything newer.
 *
 * build.sh links this object with -Wl,--wrap=NAME for every __wrap_NAME
 * below: each reference to NAME (from Go's runtime/cgo, libvpx's threads, crt1.o)
 * then lands here and calls NAME@GLIBC_2.2.5, the version every x86-64
 * glibc has. Since 2.34 that version is a compatibility alias of the same
 * function in libc.so.6; before 2.34 the pthread ones live in libpthread.so.0,
 * which build.sh therefore adds as a needed library.
 *
 * To find what needs pinning after a toolchain change:
 *   objdump -T lifeline-agent-linux-amd64 | grep -E 'GLIBC_2\.(3[2-9]|[4-9])'
 * (go test ./e2e -run TestLinuxAgentIsPortable fails on any of them).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stddef.h>

#define PIN(name) __asm__(".symver " #name "_2_2_5, " #name "@GLIBC_2.2.5")

PIN(pthread_create);
PIN(pthread_key_create);
PIN(pthread_setspecific);
PIN(pthread_attr_getstack);
PIN(pthread_attr_getstacksize);
PIN(pthread_getattr_np);
PIN(pthread_sigmask);
PIN(pthread_join);
PIN(pthread_once);
PIN(sem_init);
PIN(sem_destroy);
PIN(sem_wait);
PIN(sem_post);
PIN(__libc_start_main);

int pthread_create_2_2_5(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
int pthread_key_create_2_2_5(pthread_key_t *, void (*)(void *));
int pthread_setspecific_2_2_5(pthread_key_t, const void *);
int pthread_attr_getstack_2_2_5(const pthread_attr_t *, void **, size_t *);
int pthread_attr_getstacksize_2_2_5(const pthread_attr_t *, size_t *);
int pthread_getattr_np_2_2_5(pthread_t, pthread_attr_t *);
int pthread_sigmask_2_2_5(int, const sigset_t *, sigset_t *);
int pthread_join_2_2_5(pthread_t, void **);
int pthread_once_2_2_5(pthread_once_t *, void (*)(void));
int sem_init_2_2_5(sem_t *, int, unsigned);
int sem_destroy_2_2_5(sem_t *);
int sem_wait_2_2_5(sem_t *);
int sem_post_2_2_5(sem_t *);

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
	return pthread_create_2_2_5(t, attr, fn, arg);
}

int __wrap_pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) {
	return pthread_key_create_2_2_5(key, destructor);
}

int __wrap_pthread_setspecific(pthread_key_t key, const void *value) {
	return pthread_setspecific_2_2_5(key, value);
}

int __wrap_pthread_attr_getstack(const pthread_attr_t *attr, void **addr, size_t *size) {
	return pthread_attr_getstack_2_2_5(attr, addr, size);
}

int __wrap_pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size) {
	return pthread_attr_getstacksize_2_2_5(attr, size);
}

int __wrap_pthread_getattr_np(pthread_t t, pthread_attr_t *attr) {
	return pthread_getattr_np_2_2_5(t, attr);
}

int __wrap_pthread_sigmask(int how, const sigset_t *set, sigset_t *old) {
	return pthread_sigmask_2_2_5(how, set, old);
}

int __wrap_pthread_join(pthread_t t, void **ret) {
	return pthread_join_2_2_5(t, ret);
}

int __wrap_pthread_once(pthread_once_t *once, void (*fn)(void)) {
	return pthread_once_2_2_5(once, fn);
}

int __wrap_sem_init(sem_t *s, int shared, unsigned value) {
	return sem_init_2_2_5(s, shared, value);
}

int __wrap_sem_destroy(sem_t *s) {
	return sem_destroy_2_2_5(s);
}

int __wrap_sem_wait(sem_t *s) {
	return sem_wait_2_2_5(s);
}

int __wrap_sem_post(sem_t *s) {
	return sem_post_2_2_5(s);
}

/*
 * __libc_start_main: crt1.o from glibc >= 2.34 passes no init function and
 * leaves the executable's constructors to the new __libc_start_main. A glibc
 * before 2.34 runs them only through that init function (its crt1.o passed
 * __libc_csu_init), so pass one that does the same work: _init, then
 * .init_array. The loader runs .preinit_array itself in every version, and
 * .fini_array at exit.
 */
typedef int (*main_fn)(int, char **, char **);
typedef void (*init_fn)(int, char **, char **);

int __libc_start_main_2_2_5(main_fn, int, char **, init_fn, void (*)(void), void (*)(void), void *);

extern void _init(void);
extern init_fn __init_array_start[] __attribute__((visibility("hidden")));
extern init_fn __init_array_end[] __attribute__((visibility("hidden")));

static void run_constructors(int argc, char **argv, char **envp) {
	_init();
	for (init_fn *f = __init_array_start; f < __init_array_end; f++)
		(*f)(argc, argv, envp);
}

int __wrap___libc_start_main(main_fn main, int argc, char **argv, init_fn init,
                             void (*fini)(void), void (*rtld_fini)(void), void *stack_end) {
	if (init == NULL)
		init = run_constructors;
	return __libc_start_main_2_2_5(main, argc, argv, init, fini, rtld_fini, stack_end);
}
