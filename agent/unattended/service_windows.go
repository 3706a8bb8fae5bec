package unattended

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// programName is the installed program's file name.
const programName = "lifeline-agent.exe"

// ServiceName is the Windows service that runs the device.
const ServiceName = "LifelineUnattended"

// serviceConfig is how the service is registered: started with Windows,
// run as the program with --unattended.
func serviceConfig() mgr.Config {
	return mgr.Config{
		DisplayName: "Lifeline unattended access",
		Description: "Lets your support technicians connect to this computer when you are away, as you agreed. Remove it with: lifeline-agent --unattended-remove",
		StartType:   mgr.StartAutomatic,
	}
}

func (p Place) installService(prog string) error {
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("service manager: %w", err)
	}
	defer m.Disconnect()
	if s, err := m.OpenService(ServiceName); err == nil {
		s.Close()
		return nil // already there, now running the new program
	}
	s, err := m.CreateService(ServiceName, prog, serviceConfig(), "--unattended")
	if err != nil {
		return fmt.Errorf("create service: %w", err)
	}
	defer s.Close()
	return s.Start()
}

func (p Place) removeService() error {
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("service manager: %w", err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(ServiceName)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return nil
	} else if err != nil {
		return err
	}
	defer s.Close()
	return s.Delete()
}

// AsService runs run as the Windows service when the service manager
// started this process (stopping it when the manager says so), and
// directly otherwise.
func AsService(ctx context.Context, run func(context.Context) error) error {
	if ok, err := svc.IsWindowsService(); err != nil || !ok {
		return run(ctx)
	}
	h := &handler{run: run, ctx: ctx}
	if err := svc.Run(ServiceName, h); err != nil {
		return err
	}
	return h.err
}

// handler answers the service manager.
type handler struct {
	ctx context.Context
	run func(context.Context) error
	err error
}

func (h *handler) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.run(ctx) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case err := <-done:
			h.err = err
			status <- svc.Status{State: svc.Stopped}
			return false, 0
		case r := <-req:
			switch r.Cmd {
			case svc.Interrogate:
				status <- r.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending}
				cancel()
				h.err = <-done
				return false, 0
			}
		}
	}
}
