import { describe, expect, it } from 'vitest';
import { calibrationMiB, calibrationPasses } from '../../src/disk/calibrate.js';
import { DISK_PRESETS, diskLimits, resolveDisk } from '../../src/disk/presets.js';

describe('disk presets', () => {
  it('has ram, host and throttled hdd, sata-ssd and sd-card with limits', () => {
    expect(Object.keys(DISK_PRESETS).sort()).toEqual(['hdd', 'host', 'ram', 'sata-ssd', 'sd-card']);
    for (const name of ['hdd', 'sata-ssd', 'sd-card']) {
      const p = resolveDisk(name);
      expect(p.kind).toBe('throttled');
      expect(p.writeBps! > 0 && p.readBps! > 0 && p.writeIops! > 0 && p.readIops! > 0).toBe(true);
      expect(p.sizeBytes).toBeGreaterThanOrEqual(1024 ** 3);
    }
    expect(resolveDisk('sd-card').writeBps).toBe(10e6);
    expect(resolveDisk('hdd').writeBps!).toBeLessThan(resolveDisk('sata-ssd').writeBps!);
    expect(resolveDisk('ram')).toMatchObject({ kind: 'ram' });
    expect(resolveDisk('host').path).toMatch(/^\//);
  });

  it('gives throttled presets operation limits that let large writes reach the bandwidth limit', () => {
    // with both limits set, the block layer charges a 1 MiB direct write as two 512 KiB operations
    for (const name of ['hdd', 'sata-ssd', 'sd-card']) {
      const p = resolveDisk(name);
      expect(p.writeIops! * 512 * 1024, name).toBeGreaterThanOrEqual(p.writeBps!);
      expect(p.readIops! * 512 * 1024, name).toBeGreaterThanOrEqual(p.readBps!);
    }
  });

  it('resolves an experiment\'s own profile before the presets', () => {
    expect(resolveDisk('hdd', { kind: 'throttled', size: 2 ** 30, writeBps: 80e6 })).toEqual({
      name: 'hdd', kind: 'throttled', sizeBytes: 2 ** 30, writeBps: 80e6,
    });
    expect(diskLimits(resolveDisk('sd-card'))).toEqual({ writeBps: 10e6, readBps: 80e6, writeIops: 500, readIops: 1500 });
    expect(diskLimits(resolveDisk('ram'))).toBeUndefined();
  });

  it('rejects what cannot work, naming the disk', () => {
    expect(() => resolveDisk('floppy')).toThrow(/unknown disk profile 'floppy'.*hdd/);
    expect(() => resolveDisk('r', { kind: 'ram', size: 2 ** 20, writeBps: 1 })).toThrow(/disk 'r': limits apply to kind: throttled only \(this profile is ram\)/);
    expect(() => resolveDisk('t', { kind: 'throttled', size: 2 ** 20 })).toThrow(/disk 't'.*at least one of/);
    expect(() => resolveDisk('h', { kind: 'host', size: 2 ** 20, path: 'rel' })).toThrow(/absolute/);
  });

  it('sizes the calibration to a few seconds at the limit, within the disk', () => {
    expect(calibrationMiB(resolveDisk('sd-card'))).toBe(28);
    expect(calibrationMiB(resolveDisk('sata-ssd'))).toBe(64);
    expect(calibrationMiB({ name: 's', kind: 'throttled', sizeBytes: 16 * 2 ** 20, writeBps: 1e9 })).toBe(9);
  });

  it("goes over the file for a second at the limit, so the throttle's first burst does not pass as the rate", () => {
    expect(calibrationPasses(resolveDisk('sd-card'), 28)).toEqual({ write: 1, read: 3 });
    expect(calibrationPasses(resolveDisk('sata-ssd'), 64)).toEqual({ write: 8, read: 8 });
    expect(calibrationPasses({ name: 's', kind: 'throttled', sizeBytes: 16 * 2 ** 20, writeBps: 200e6 }, 9)).toEqual({ write: 22, read: 1 });
    expect(calibrationPasses({ name: 's', kind: 'throttled', sizeBytes: 16 * 2 ** 20, writeBps: 1e9 }, 9)).toEqual({ write: 64, read: 1 });
    expect(calibrationPasses(resolveDisk('ram'), 64)).toEqual({ write: 1, read: 1 });
  });
});
