package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"torn.cat/torn/central"
)

// AddDevice registers d (Created now if zero); ErrExists if its id is
// taken. Its office is from then on one central has heard of.
func (s *Store) AddDevice(ctx context.Context, d central.Device) error {
	if d.ID == "" || d.Office == "" {
		return fmt.Errorf("add device %q of office %q: want an id and an office", d.ID, d.Office)
	}
	if d.Created.IsZero() {
		d.Created = time.Now()
	}
	err := s.e.write(ctx, func(q querier) error {
		n, err := q.exec(ctx, `INSERT INTO devices (id, office, token_hash, revoked, created, last_seen)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			d.ID, d.Office, d.TokenHash, d.Revoked, s.tv(d.Created), s.tv(d.LastSeen))
		if err != nil {
			return err
		}
		if n == 0 {
			return central.ErrExists
		}
		_, err = q.exec(ctx, `INSERT INTO offices (id, device) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, d.Office, d.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("add device %s: %w", d.ID, err)
	}
	return nil
}

const deviceColumns = "id, office, token_hash, revoked, created, last_seen"

func scanDevice(r row) (central.Device, error) {
	var d central.Device
	err := r.Scan(&d.ID, &d.Office, &d.TokenHash, &d.Revoked, scanTime{&d.Created}, scanTime{&d.LastSeen})
	return d, err
}

// Device returns device id; ErrNotFound if there is none.
func (s *Store) Device(ctx context.Context, id string) (central.Device, error) {
	var d central.Device
	err := s.e.view(ctx, func(q querier) error {
		var err error
		d, err = scanDevice(q.queryRow(ctx, "SELECT "+deviceColumns+" FROM devices WHERE id = ?", id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return central.Device{}, notFound("device %s", id)
	}
	if err != nil {
		return central.Device{}, fmt.Errorf("read device %s: %w", id, err)
	}
	return d, nil
}

// RevokeDevice marks device id revoked; ErrNotFound if there is none.
func (s *Store) RevokeDevice(ctx context.Context, id string) error {
	err := s.e.write(ctx, func(q querier) error {
		n, err := q.exec(ctx, "UPDATE devices SET revoked = ? WHERE id = ?", true, id)
		if err == nil && n == 0 {
			err = central.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke device %s: %w", id, err)
	}
	return nil
}

// Devices lists the devices by id.
func (s *Store) Devices(ctx context.Context) ([]central.Device, error) {
	var ds []central.Device
	err := s.e.view(ctx, func(q querier) error {
		rows, err := q.query(ctx, "SELECT "+deviceColumns+" FROM devices ORDER BY id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDevice(rows)
			if err != nil {
				return err
			}
			ds = append(ds, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	return ds, nil
}

// SeenDevice records that device connected or sent something at t (an
// earlier t than the one recorded is ignored), and makes it its office's
// device; ErrNotFound if there is no such device.
func (s *Store) SeenDevice(ctx context.Context, device string, t time.Time) error {
	err := s.e.write(ctx, func(q querier) error {
		var office string
		err := q.queryRow(ctx, "SELECT office FROM devices WHERE id = ?", device).Scan(&office)
		if errors.Is(err, sql.ErrNoRows) {
			return central.ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = q.exec(ctx, `INSERT INTO offices (id, device) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET device = excluded.device`, office, device)
		if err != nil {
			return err
		}
		_, err = q.exec(ctx, "UPDATE devices SET last_seen = ? WHERE id = ? AND (last_seen IS NULL OR last_seen < ?)",
			s.tv(t), device, s.tv(t))
		return err
	})
	if err != nil {
		return fmt.Errorf("record device %s seen: %w", device, err)
	}
	return nil
}
