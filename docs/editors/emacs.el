;;; refactor for Dockerfiles in Emacs  -*- lexical-binding: t -*-
;; Add to your init file.
;;   M-x compile   every change refactor would make to this file, each line linked to its place
;;   Flymake       the same changes marked in the buffer as you type

(require 'compile)
(require 'flymake)

;; `path:line:col: CODE message (safety)': a review or unsafe change is a warning, a safe one
;; is information, a line without a rule code (a parse error) is an error.
(add-to-list 'compilation-error-regexp-alist-alist
             '(refactor
               "^\\([^ \t\n+@-][^\n]*?\\):\\([0-9]+\\):\\([0-9]+\\): \\(?:[A-Z][A-Z][0-9][0-9][0-9] .*(\\(?:\\(review\\|unsafe\\)\\|\\(safe\\)\\))\\)?"
               1 2 3 (4 . 5)))
(add-to-list 'compilation-error-regexp-alist 'refactor)

(defvar-local refactor--flymake-process nil)

(defun refactor-flymake (report-fn &rest _args)
  "Flymake backend: report the changes refactor would make to the buffer.
The buffer goes to refactor on standard input; the change lines come back on
standard error, and the shell swaps the streams so that only they are read."
  (when (process-live-p refactor--flymake-process)
    (kill-process refactor--flymake-process))
  (let ((source (current-buffer))
        (file (or buffer-file-name (expand-file-name "Dockerfile"))))
    (setq refactor--flymake-process
          (make-process
           :name "refactor-flymake" :noquery t :connection-type 'pipe
           :buffer (generate-new-buffer " *refactor-flymake*")
           :command (list "sh" "-c" "refactor - --stdin-filename \"$1\" 2>&1 >/dev/null" "sh" file)
           :sentinel
           (lambda (proc _event)
             (when (memq (process-status proc) '(exit signal))
               (unwind-protect
                   (when (and (buffer-live-p source)
                              (eq proc (buffer-local-value 'refactor--flymake-process source)))
                     (with-current-buffer (process-buffer proc)
                       (funcall report-fn (refactor--diagnostics source file))))
                 (kill-buffer (process-buffer proc)))))))
    (process-send-region refactor--flymake-process (point-min) (point-max))
    (process-send-eof refactor--flymake-process)))

(defun refactor--diagnostics (source file)
  "Flymake diagnostics in SOURCE for the lines about FILE in the current buffer."
  (let ((line-re (concat "^" (regexp-quote file) ":\\([0-9]+\\):\\([0-9]+\\): \\(.*\\)$"))
        diagnostics)
    (goto-char (point-min))
    (while (re-search-forward line-re nil t)
      (let ((message (match-string 3))
            (region (flymake-diag-region source (string-to-number (match-string 1))
                                         (string-to-number (match-string 2)))))
        (when region
          (push (flymake-make-diagnostic
                 source (car region) (cdr region)
                 (cond ((string-match-p "(safe)\\( \\[.*]\\)?\\'" message) :note)
                       ((string-match-p "(\\(review\\|unsafe\\))\\( \\[.*]\\)?\\'" message) :warning)
                       (t :error))
                 message)
                diagnostics))))
    (nreverse diagnostics)))

(defun refactor-setup ()
  "Use refactor in this Dockerfile buffer: for `compile' and for Flymake."
  (when buffer-file-name
    (setq-local compile-command
                ;; compile runs it on a terminal, where refactor would colour the rule codes
                (concat "NO_COLOR=1 refactor --check " (shell-quote-argument buffer-file-name))))
  (add-hook 'flymake-diagnostic-functions #'refactor-flymake nil t)
  (flymake-mode 1))

(add-hook 'dockerfile-mode-hook #'refactor-setup)     ; the dockerfile-mode package
(add-hook 'dockerfile-ts-mode-hook #'refactor-setup)  ; built in since Emacs 29
