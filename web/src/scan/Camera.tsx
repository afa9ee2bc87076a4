/**
 * The phone camera as a scanner: getUserMedia video, decoded ~5 times a second with the browser's BarcodeDetector
 * (QR, Data Matrix, Code 128) where it exists, else with zxing-wasm on a canvas copy of the frame. Stays open for many
 * reads; each new text is handed to `onRead` once per camera session (holding a code in view does not repeat it).
 */
import { Button, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export type ReadVerdict = 'added' | 'duplicate' | 'parent';

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorCtor {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

interface FrameDecoder {
  engine: 'native' | 'zxing';
  decode(video: HTMLVideoElement): Promise<string[]>;
}

const NATIVE_FORMATS = ['qr_code', 'data_matrix', 'code_128'];
/** ~5 frames a second */
const FRAME_INTERVAL_MS = 200;
/** the largest side of the frame handed to zxing */
const MAX_FRAME_SIDE = 1280;

async function nativeDecoder(): Promise<FrameDecoder | null> {
  const Ctor = (window as unknown as { BarcodeDetector?: BarcodeDetectorCtor }).BarcodeDetector;
  if (!Ctor) return null;
  try {
    const supported = await Ctor.getSupportedFormats();
    // without Data Matrix (GS1 labels) the native detector is not enough: use zxing
    if (!supported.includes('qr_code') || !supported.includes('data_matrix')) return null;
    const detector = new Ctor({ formats: NATIVE_FORMATS.filter((f) => supported.includes(f)) });
    return {
      engine: 'native',
      decode: async (video) => (await detector.detect(video)).map((b) => b.rawValue).filter(Boolean),
    };
  } catch {
    return null;
  }
}

async function zxingDecoder(): Promise<FrameDecoder> {
  const z = await import('./zxing.ts');
  await z.warmUp();
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return {
    engine: 'zxing',
    decode: async (video) => {
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (!ctx || !w || !h) return [];
      const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(w, h));
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      return z.zxingRead(ctx.getImageData(0, 0, canvas.width, canvas.height));
    },
  };
}

/** Whether a camera can be asked for at all (getUserMedia needs a secure context: https or localhost). */
export function cameraAvailable(): boolean {
  return typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
}

export function CameraScanner({ onRead, onClose }: { onRead: (text: string) => ReadVerdict; onClose: () => void }) {
  const { t } = useTranslation();
  const videoRef = useRef<HTMLVideoElement>(null);
  const onReadRef = useRef(onRead);
  onReadRef.current = onRead;
  const [error, setError] = useState<string | null>(null);
  const [engine, setEngine] = useState<FrameDecoder['engine'] | null>(null);
  const [count, setCount] = useState(0);
  const [last, setLast] = useState<{ text: string; verdict: ReadVerdict } | null>(null);

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const seen = new Set<string>();

    const start = async () => {
      if (!cameraAvailable()) {
        setError(t('scan.camera.unavailable'));
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
        });
      } catch (e) {
        const name = e instanceof DOMException ? e.name : '';
        setError(name === 'NotAllowedError' || name === 'SecurityError' ? t('scan.camera.denied') : t('scan.camera.failed'));
        return;
      }
      if (stopped) {
        for (const track of stream.getTracks()) track.stop();
        return;
      }
      const video = videoRef.current;
      if (!video) return;
      video.srcObject = stream;
      await video.play().catch(() => undefined);
      let decoder: FrameDecoder;
      try {
        decoder = (await nativeDecoder()) ?? (await zxingDecoder());
      } catch {
        setError(t('scan.camera.decoderFailed'));
        return;
      }
      if (stopped) return;
      setEngine(decoder.engine);
      const tick = async () => {
        if (stopped) return;
        const began = performance.now();
        try {
          if (video.readyState >= 2) {
            for (const text of await decoder.decode(video)) {
              if (stopped || seen.has(text)) continue;
              seen.add(text);
              const verdict = onReadRef.current(text);
              setLast({ text, verdict });
              setCount((n) => n + 1);
            }
          }
        } catch {
          // a frame that cannot be decoded: try the next one
        }
        if (!stopped) timer = setTimeout(() => void tick(), Math.max(0, FRAME_INTERVAL_MS - (performance.now() - began)));
      };
      void tick();
    };
    void start();
    return () => {
      stopped = true;
      clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [t]);

  return (
    <div
      data-testid="camera-overlay"
      role="dialog"
      aria-label={t('scan.camera.title')}
      style={{ position: 'fixed', inset: 0, zIndex: 1100, background: '#000', display: 'flex', flexDirection: 'column' }}
    >
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', padding: '8px 12px', color: '#fff' }}>
        <Typography.Text style={{ color: '#fff', fontSize: 16 }}>{t('scan.camera.title')}</Typography.Text>
        <Button data-testid="camera-close" shape="circle" size="large" aria-label={t('scan.camera.close')} onClick={onClose}>
          ✕
        </Button>
      </div>
      <div style={{ position: 'relative', flex: 1, overflow: 'hidden' }}>
        <video
          ref={videoRef}
          data-testid="camera-video"
          playsInline
          muted
          autoPlay
          style={{ width: '100%', height: '100%', objectFit: 'cover' }}
        />
        <div
          aria-hidden
          style={{
            position: 'absolute',
            left: '50%',
            top: '50%',
            width: '70vmin',
            height: '70vmin',
            transform: 'translate(-50%, -50%)',
            border: '3px solid rgba(94, 234, 212, 0.9)',
            borderRadius: 12,
            boxShadow: '0 0 0 100vmax rgba(0,0,0,0.35)',
          }}
        />
        {error ? (
          <div data-testid="camera-error" style={{ position: 'absolute', left: 16, right: 16, top: 16, color: '#fff', fontSize: 16 }}>
            {error}
          </div>
        ) : null}
      </div>
      <div style={{ padding: 12, color: '#fff', minHeight: 96 }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', marginBottom: 8 }}>
          <span data-testid="camera-count">{t('scan.camera.count', { count })}</span>
          <span style={{ opacity: 0.6 }}>{engine ? t(`scan.camera.engine.${engine}`) : t('scan.camera.starting')}</span>
        </div>
        {last ? (
          <div data-testid="camera-last" style={{ wordBreak: 'break-all', fontFamily: 'monospace', fontSize: 13 }}>
            <Tag color={last.verdict === 'duplicate' ? 'orange' : last.verdict === 'parent' ? 'blue' : 'green'}>
              {t(`scan.camera.verdict.${last.verdict}`)}
            </Tag>
            {last.text}
          </div>
        ) : null}
        <Button type="primary" size="large" block style={{ marginTop: 8, height: 52 }} onClick={onClose} data-testid="camera-done">
          {t('scan.camera.done')}
        </Button>
      </div>
    </div>
  );
}
