package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"torn.cat/torn/syncproto"
	"torn.cat/torn/uplink"
)

// openUplink makes the link to central, when the config has one: it reads
// the device's token and the CA file now, so that a bad file stops tornd
// at start with a clear error rather than failing quietly later.
func (d *Daemon) openUplink() error {
	cc := d.Config.Central
	if cc.URL == "" {
		return nil
	}
	tok, err := os.ReadFile(cc.TokenFile)
	if err != nil {
		return fmt.Errorf("central token: %w (torn-central device add prints it)", err)
	}
	token := strings.TrimSpace(string(tok))
	if token == "" {
		return fmt.Errorf("central token %s is empty", cc.TokenFile)
	}
	var tc *tls.Config
	if cc.CAFile != "" {
		pem, err := os.ReadFile(cc.CAFile)
		if err != nil {
			return fmt.Errorf("central CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("central CA %s: no PEM certificate in it", cc.CAFile)
		}
		tc = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	d.uplink = &uplink.Client{URL: cc.URL, Device: cc.Device, Token: token, Office: d.office, Store: d.store,
		Log: d.Log, TLS: tc, MaxBackoff: cc.MaxBackoff, AckWait: cc.AckWait, OnConfig: func(c syncproto.Config) error {
			if c.OfficeKey == "" {
				return nil
			}
			return d.setKey(c.OfficeKey)
		}}
	return nil
}
